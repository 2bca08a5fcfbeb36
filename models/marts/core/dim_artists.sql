-- One row per artist of the catalogue.

with

artists as (

    select * from {{ ref('int_artists_deduplicated') }}

),

final as (

    select
        artist_id,
        artist_name as name,
        artist_location as location,
        artist_latitude as latitude,
        artist_longitude as longitude
    from artists

)

select * from final
